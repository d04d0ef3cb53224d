// A file's parts sent straight to S3 through the presigned part URLs the platform answered, one part
// at a time with progress, so that after a dropped connection only the parts S3 lacks are sent again.
import type { components } from "../api/schema";

type UploadPlan = components["schemas"]["UploadPlan"];
export type UploadedPart = components["schemas"]["UploadedPart"];

/** The connection dropped (or S3 refused) while a part was sent: resume later. */
export class UploadCut extends Error {
  constructor(
    message: string,
    readonly sentBytes: number,
  ) {
    super(message);
  }
}

/** Bytes of `file` in part `partNumber` (1-based) of parts of `partSize`. */
function partBlob(file: Blob, partNumber: number, partSize: number): Blob {
  return file.slice((partNumber - 1) * partSize, Math.min(partNumber * partSize, file.size));
}

/** PUT one part; answers S3's ETag. XMLHttpRequest, as fetch reports no upload progress. */
function putPart(url: string, body: Blob, onProgress: (loaded: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () => {
      const etag = request.getResponseHeader("ETag");
      if (request.status >= 200 && request.status < 300 && etag) resolve(etag);
      else reject(new Error(`storage answered ${request.status} to part upload`));
    };
    request.onerror = () => reject(new Error("the connection dropped"));
    request.ontimeout = () => reject(new Error("the storage did not answer in time"));
    request.send(body);
  });
}

/**
 * Send every part of `plan` that `received` lacks, in order, reporting the bytes S3 holds so far.
 * Answers every part with its ETag, for POST /files/{id}/complete; throws UploadCut when a part fails.
 */
export async function sendParts(
  file: Blob,
  plan: UploadPlan,
  received: readonly UploadedPart[],
  onProgress: (sentBytes: number) => void,
): Promise<UploadedPart[]> {
  const done = new Map(received.map((part) => [part.part_number, part.etag]));
  let held = 0;
  for (const number of done.keys()) held += partBlob(file, number, plan.part_size).size;
  onProgress(held);
  for (const part of plan.parts) {
    if (done.has(part.part_number)) continue;
    const body = partBlob(file, part.part_number, plan.part_size);
    try {
      const etag = await putPart(part.url, body, (loaded) => onProgress(held + loaded));
      done.set(part.part_number, etag);
      held += body.size;
      onProgress(held);
    } catch (failure) {
      throw new UploadCut(failure instanceof Error ? failure.message : String(failure), held);
    }
  }
  return [...done.entries()].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag }));
}
