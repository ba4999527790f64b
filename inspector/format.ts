import type { ElectedExposer, ObjectDescriptorJson } from "../lib/index.js";

// How the page writes figures: short, with units, the same way in every view.

/** A count or a rate, with at most one decimal below 100 and thousands grouped above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value !== 0 && Math.abs(value) < 100 && !Number.isInteger(value)) return value.toFixed(1);
  return Math.round(value).toLocaleString("en-US");
}

/** Bytes in B, kB, MB or GB (powers of 1000). */
export function formatBytes(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(scaled) : scaled.toFixed(scaled < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A duration in milliseconds as the two largest units, e.g. "3 h 12 min", "42 s", "18 ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A round trip, or a dash when none was measured yet. */
export function formatRoundTrip(ms: number | null): string {
  return ms === null ? "–" : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A wall-clock time of day, e.g. "14:03:27". */
export function formatTime(at: number): string {
  const date = new Date(at);
  return Number.isFinite(date.getTime()) ? date.toLocaleTimeString("en-GB", { hour12: false }) : "–";
}

/** A version, e.g. "3.1", or a dash before any state. */
export function formatVersion(version: readonly number[] | null): string {
  return version === null ? "–" : version.join(".");
}

/** Who is elected for an object, as a person reads it. */
export function formatExposer(exposer: ElectedExposer | null): string {
  if (exposer === null) return "none";
  switch (exposer.kind) {
    case "contract":
      return "this node";
    case "link":
      return exposer.name ?? `link ${exposer.link}`;
    case "upstream":
      return "upstream";
  }
}

/** A descriptor as one line of text: its JSON, then its tags, e.g. `{"id":7} #"chat"`. */
export function formatDescriptor(descriptor: ObjectDescriptorJson): string {
  return [JSON.stringify(descriptor.json), ...descriptor.tags.map((tag) => `#${JSON.stringify(tag)}`)].join(" ");
}
