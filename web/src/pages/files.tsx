// "My files": the caller's files with their validation, and uploads by drag and drop (or a file
// picker) straight to S3, a progress bar per file, resumed after a dropped connection.
import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactNode } from "react";
import { api, asProblem, dataOf, type Problem } from "../api/client";
import type { components } from "../api/schema";
import { Empty, Loaded, ProblemMessage, useLoad, useRefresh } from "../components/states";
import { Table } from "../components/table";
import { when } from "../components/format";
import { Page } from "../components/page";
import { RulesForm, RulesText, ServicesAllowed } from "../components/residency";
import { sendParts, UploadCut, type UploadedPart } from "../upload/multipart";

type GenotypeFile = components["schemas"]["FileView"];
type Finding = components["schemas"]["FindingView"];
type Service = components["schemas"]["ImputationService"];
type Policy = components["schemas"]["ResidencyPolicy"];
/** What a file's row needs to say where it may go: the platform's policy and the services' names. */
interface Residency {
  policy: Policy;
  services: Service[];
}

interface Upload {
  key: string;
  file: File;
  fileId: string | null;
  phase: "starting" | "sending" | "cut" | "completing" | "done" | "failed";
  sent: number;
  problem: Problem | null;
}

const REFRESH_MS = 2000; // while a file is validating, its status is asked again this often

/** An upload of `file` as this tab starts it; with the platform's `fileId`, one that resumes. */
function newUpload(file: File, fileId: string | null): Upload {
  return { key: crypto.randomUUID(), file, fileId, phase: "starting", sent: 0, problem: null };
}

export function FilesPage(): ReactNode {
  const [files, reload] = useLoad(() => dataOf(api.GET("/files", { params: { query: { limit: 100 } } })), []);
  const [residency] = useLoad(
    async (): Promise<Residency> => {
      const [policy, services] = await Promise.all([dataOf(api.GET("/residency-policy")), dataOf(api.GET("/services", { params: { query: { limit: 500 } } }))]);
      return { policy, services: services.items };
    },
    [],
  );
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = useCallback((key: string, change: Partial<Upload>) => {
    setUploads((current) => current.map((upload) => (upload.key === key ? { ...upload, ...change } : upload)));
  }, []);

  // an upload the platform knows (it has a file id) resumes: only the parts S3 lacks are sent
  const run = useCallback(
    async (upload: Upload) => {
      let fileId = upload.fileId;
      try {
        let plan;
        let received: readonly UploadedPart[] = [];
        if (fileId !== null) {
          update(upload.key, { phase: "starting", problem: null });
          ({ upload: plan, received } = await dataOf(api.GET("/files/{file_id}/upload", { params: { path: { file_id: fileId } } })));
        } else {
          const created = await dataOf(api.POST("/files", { body: { filename: upload.file.name, size_bytes: upload.file.size } }));
          fileId = created.id;
          plan = created.upload;
          update(upload.key, { fileId });
          reload();
        }
        update(upload.key, { phase: "sending" });
        const parts = await sendParts(upload.file, plan, received, (sent) => update(upload.key, { sent }));
        update(upload.key, { phase: "completing", sent: upload.file.size });
        await dataOf(api.POST("/files/{file_id}/complete", { params: { path: { file_id: fileId } }, body: { parts } }));
        update(upload.key, { phase: "done" });
        reload();
      } catch (failure) {
        if (failure instanceof UploadCut || (fileId !== null && isNoAnswer(failure))) {
          update(upload.key, {
            phase: "cut",
            problem: {
              title: "Upload interrupted",
              status: 0,
              detail: `${failure instanceof UploadCut ? failure.message : "the platform could not be reached"}. Resume sends only what is missing.`,
            },
          });
        } else {
          update(upload.key, { phase: "failed", problem: asProblem(failure) });
        }
      }
    },
    [reload, update],
  );

  // a connection that comes back resumes what it cut
  const latest = useRef(uploads);
  latest.current = uploads;
  useEffect(() => {
    const onOnline = () => latest.current.filter((upload) => upload.phase === "cut").forEach((upload) => void run(upload));
    window.addEventListener("online", onOnline);
    return () => window.removeEventListener("online", onOnline);
  }, [run]);

  // a file still validating is asked about again until it is done
  const validating = files.state === "loaded" && files.data.items.some((file) => file.status === "validating" || (file.status === "uploading" && uploads.some((u) => u.fileId === file.id && u.phase === "done")));
  useRefresh(validating, reload, REFRESH_MS, files);

  const add = (chosen: FileList | null) => {
    if (chosen === null) return;
    const added = Array.from(chosen).map((file) => newUpload(file, null));
    setUploads((current) => [...added, ...current]);
    added.forEach((upload) => void run(upload));
  };

  // an upload this tab did not start (the page was reloaded, the computer restarted) resumes once the
  // person chooses the same file again: same name and size, and S3 keeps the parts it already has
  const resumeWith = (file: GenotypeFile, chosen: File) => {
    if (chosen.name !== file.filename || chosen.size !== file.size_bytes) {
      const problem: Problem = {
        title: "Not the same file",
        status: 0,
        detail: `Choose ${file.filename} (${file.size_bytes} bytes); ${chosen.name} has ${chosen.size} bytes.`,
      };
      setUploads((current) => [{ ...newUpload(chosen, null), phase: "failed", problem }, ...current]);
      return;
    }
    const upload = newUpload(chosen, file.id);
    setUploads((current) => [upload, ...current]);
    void run(upload);
  };

  return (
    <Page title="My files">
      <DropZone onFiles={add} />
      {uploads.length > 0 ? (
        <section aria-labelledby="uploads-title">
          <h2 id="uploads-title">Uploads</h2>
          <ul className="uploads">
            {uploads.map((upload) => (
              <UploadRow key={upload.key} upload={upload} onResume={() => void run(upload)} />
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="files-title">
        <h2 id="files-title">Files</h2>
        <Loaded load={files} what="your files">
          {(page) =>
            page.items.length === 0 ? (
              <Empty>You have no files yet. Drop a VCF file above to upload it.</Empty>
            ) : (
              <ul className="files">
                {page.items.map((file) => (
                  <FileRow
                    key={file.id}
                    file={file}
                    residency={residency.state === "loaded" ? residency.data : null}
                    onNarrowed={reload}
                    onResume={uploads.some((upload) => upload.fileId === file.id) ? null : (chosen) => resumeWith(file, chosen)}
                  />
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
    </Page>
  );
}

function isNoAnswer(failure: unknown): boolean {
  return typeof failure === "object" && failure !== null && "status" in failure && (failure as Problem).status === 0;
}

function DropZone({ onFiles }: { onFiles: (files: FileList | null) => void }): ReactNode {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    onFiles(event.dataTransfer.files);
  };
  return (
    <div
      className={over ? "dropzone over" : "dropzone"}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="dropzone"
    >
      <p>Drop bgzipped VCF files here, or</p>
      <button type="button" onClick={() => input.current?.click()}>
        Choose files
      </button>
      <input
        ref={input}
        hidden
        type="file"
        multiple
        accept=".vcf.gz,.vcf,.bgz"
        onChange={(event) => {
          onFiles(event.currentTarget.files);
          if (input.current) input.current.value = "";
        }}
      />
    </div>
  );
}

function UploadRow({ upload, onResume }: { upload: Upload; onResume: () => void }): ReactNode {
  const percent = upload.file.size === 0 ? 100 : Math.floor((upload.sent / upload.file.size) * 100);
  const label = `${upload.file.name}: ${phaseText[upload.phase]}`;
  return (
    <li className="upload" data-phase={upload.phase}>
      <div className="upload-head">
        <span>{upload.file.name}</span>
        <span className="muted">{phaseText[upload.phase]}</span>
      </div>
      <progress max={100} value={percent} aria-label={label}>
        {percent}%
      </progress>
      {upload.problem ? <ProblemMessage problem={upload.problem} /> : null}
      {upload.phase === "cut" ? (
        <button type="button" onClick={onResume}>
          Resume {upload.file.name}
        </button>
      ) : null}
    </li>
  );
}

const phaseText: Record<Upload["phase"], string> = {
  starting: "starting…",
  sending: "uploading…",
  cut: "interrupted",
  completing: "finishing…",
  done: "uploaded",
  failed: "failed",
};

interface FileRowProps {
  file: GenotypeFile;
  /** The platform's policy and the services, once loaded (until then, no residency is shown). */
  residency: Residency | null;
  onNarrowed: () => void;
  onResume: ((chosen: File) => void) | null;
}

function FileRow({ file, residency, onNarrowed, onResume }: FileRowProps): ReactNode {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <li className="file" data-status={file.status}>
      <div className="file-head">
        <strong>{file.filename}</strong>
        <span className={`badge badge-${file.status}`}>{file.status}</span>
        <span className="muted">{formatBytes(file.size_bytes)}</span>
        {file.status === "uploading" && onResume !== null ? (
          <>
            <button type="button" onClick={() => picker.current?.click()}>
              Resume upload of {file.filename}
            </button>
            <input
              ref={picker}
              hidden
              type="file"
              data-testid={`resume-${file.id}`}
              onChange={(event) => {
                const chosen = event.currentTarget.files?.[0];
                if (chosen !== undefined) onResume(chosen);
              }}
            />
          </>
        ) : null}
      </div>
      {file.summary ? (
        <p className="muted">
          {file.summary.samples} samples, {file.summary.variants} variants
          {file.summary.chromosome ? ` on chromosome ${file.summary.chromosome}` : ""}
          {file.summary.build_detected ? ` (${file.summary.build_detected})` : ""}
        </p>
      ) : null}
      {file.findings.length > 0 ? <Findings findings={file.findings} filename={file.filename} /> : null}
      {residency !== null && file.kind === "input" ? <WhereItMayGo file={file} residency={residency} onNarrowed={onNarrowed} /> : null}
    </li>
  );
}

/** Where jobs may send the file: the platform's policy, the owner's narrowing, and the form that changes it. */
function WhereItMayGo({ file, residency, onNarrowed }: { file: GenotypeFile; residency: Residency; onNarrowed: () => void }): ReactNode {
  const narrowing = { allowed_countries: file.allowed_countries, allowed_services: file.allowed_services };
  const [open, setOpen] = useState(false);
  return (
    <details className="residency" data-testid={`residency-${file.id}`} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Where {file.filename} may go</summary>
      <p className="muted">The platform allows:</p>
      <RulesText rules={residency.policy} services={residency.services} empty="any" />
      <p className="muted">You narrowed it to (jobs keep to both):</p>
      <RulesText rules={narrowing} services={residency.services} empty="not narrowed" />
      <ServicesAllowed rules={[residency.policy, narrowing]} services={residency.services} />
      {open ? <SentTo fileId={file.id} /> : null}
      <RulesForm
        what={file.filename}
        initial={narrowing}
        services={residency.services}
        emptyMeans="Empty: as the platform allows."
        onSave={async (rules) => {
          await dataOf(api.PUT("/files/{file_id}/residency", { params: { path: { file_id: file.id } }, body: rules }));
          onNarrowed();
        }}
      />
    </details>
  );
}

/** The services the file was sent to, for which job and when (read from the file's own record, which
 * alone lists them), for ethics reports. */
function SentTo({ fileId }: { fileId: string }): ReactNode {
  const [record] = useLoad(() => dataOf(api.GET("/files/{file_id}", { params: { path: { file_id: fileId } } })), [fileId]);
  return (
    <Loaded load={record} what="where the file was sent">
      {(file) =>
        (file.sent_to ?? []).length === 0 ? (
          <p className="muted">Not sent to any service yet.</p>
        ) : (
          <p className="muted" data-testid="sent-to">
            Sent so far to: {(file.sent_to ?? []).map((sent) => `${sent.service_name} (${when(sent.at)})`).join(", ")}
          </p>
        )
      }
    </Loaded>
  );
}

function Findings({ findings, filename }: { findings: Finding[]; filename: string }): ReactNode {
  return (
    <Table caption={<>Validation findings for {filename}</>} columns={["Severity", "Line", "Sample", "Problem", "How to fix it"]} className="findings">
      {findings.map((finding, index) => (
        <tr key={`${finding.rule}:${finding.line ?? ""}:${index}`}>
          <td>{finding.severity}</td>
          <td>{finding.line ?? "—"}</td>
          <td>{finding.sample ?? "—"}</td>
          <td>{finding.message}</td>
          <td>{finding.fix}</td>
        </tr>
      ))}
    </Table>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
