// How the console writes moments: in the person's own locale and time zone.

/** A moment as the person reads it, or a dash when there is none. */
export function when(moment: string | null | undefined): string {
  return moment ? new Date(moment).toLocaleString() : "—";
}
