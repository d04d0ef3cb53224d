// "My dashboard" (#/dashboard): the caller's own jobs in figures, by status, and day by day.
import type { ReactNode } from "react";
import { api, dataOf } from "../api/client";
import { JobFiguresView } from "../components/figures";
import { Page } from "../components/page";
import { Empty, Loaded, useLoad } from "../components/states";
import { href } from "../router";

export function DashboardPage(): ReactNode {
  const [figures] = useLoad(() => dataOf(api.GET("/dashboard", { params: { query: { days: 30 } } })), []);
  return (
    <Page title="My dashboard">
      <Loaded load={figures} what="your figures">
        {(mine) =>
          mine.total === 0 ? (
            <Empty>
              You have no jobs yet: <a href={href("jobs/new")}>submit one</a> and its figures show here.
            </Empty>
          ) : (
            <JobFiguresView figures={mine} whose="Your" />
          )
        }
      </Loaded>
    </Page>
  );
}
