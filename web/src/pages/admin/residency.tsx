// The platform's residency policy, for admins (#/admin/residency): the countries and services users'
// genotype data may be sent to. Every job is held to it (and to each file's narrowing of it): `auto`
// never routes outside it and an explicit submission outside it is refused.
import { useState, type ReactNode } from "react";
import { api, dataOf } from "../../api/client";
import type { components } from "../../api/schema";
import { when } from "../../components/format";
import { Page } from "../../components/page";
import { RulesForm, RulesText } from "../../components/residency";
import { Loaded, useLoad } from "../../components/states";
import { useRoles } from "../../roles";

export function ResidencyPage(): ReactNode {
  const [loaded] = useLoad(
    () => Promise.all([dataOf(api.GET("/residency-policy")), dataOf(api.GET("/services", { params: { query: { limit: 500 } } }))]),
    [],
  );
  return (
    <Page title="Residency policy">
      <p>
        Where genotype data may be sent. Jobs only go to services that pass both lists: <code>auto</code> never picks a
        service outside them, and a submission naming one is refused with the rule it breaks. Each file's owner may narrow
        this further for their file, never widen it.
      </p>
      <p>
        <strong>An empty list means no restriction</strong> on that axis: no countries listed, any country; no services
        ticked, any service. A service with no country recorded never passes a list of countries.
      </p>
      <Loaded load={loaded} what="the residency policy">
        {([policy, services]) => <PolicyEditor initial={policy} services={services.items} />}
      </Loaded>
    </Page>
  );
}

type Policy = components["schemas"]["ResidencyPolicy"];

/** The policy in force and the form that replaces it (what the platform answers is then in force). */
function PolicyEditor({ initial, services }: { initial: Policy; services: components["schemas"]["ImputationService"][] }): ReactNode {
  const [policy, setPolicy] = useState(initial);
  const { admin } = useRoles();
  return (
    <>
      <h2>In force</h2>
      <RulesText rules={policy} services={services} empty="any" />
      <p className="muted">
        {policy.updated_at ? `Set ${when(policy.updated_at)}${policy.updated_by ? ` by ${policy.updated_by}` : ""}.` : "Never set: data may go to any service."}
      </p>
      <h2>Change it</h2>
      {admin ? (
        <RulesForm
          what="data"
          initial={policy}
          services={services}
          emptyMeans="Empty: any country."
          onSave={async (rules) => setPolicy(await dataOf(api.PUT("/residency-policy", { body: rules })))}
        />
      ) : (
        <p>Only a platform admin changes the policy; you may narrow it for each of your own files on My files.</p>
      )}
    </>
  );
}
