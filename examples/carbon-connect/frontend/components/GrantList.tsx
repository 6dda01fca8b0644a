import type { GrantMatch } from "@/lib/api";

/** How close a match is, as a percentage (cosine distance 0 = 100 %). */
export function similarity(distance: number): string {
  const score = Math.max(0, Math.min(1, 1 - distance));
  return `${Math.round(score * 100)} %`;
}

export function GrantList({ matches }: { matches: GrantMatch[] }) {
  if (matches.length === 0) {
    return <p role="status">No grants match this description.</p>;
  }
  return (
    <ol aria-label="Matching grants" className="grant-list">
      {matches.map((match) => (
        <li key={match.id}>
          <span className="grant-title">{match.title}</span>{" "}
          <span
            className="grant-score"
            title={`cosine distance ${match.distance}`}
          >
            {similarity(match.distance)}
          </span>
        </li>
      ))}
    </ol>
  );
}
