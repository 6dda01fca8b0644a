"use client";

import { useState, type FormEvent } from "react";

import { GrantList } from "@/components/GrantList";
import { matchGrants, type GrantMatch } from "@/lib/api";

type SearchState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "done"; matches: GrantMatch[] }
  | { kind: "failed"; message: string };

export interface GrantSearchProps {
  /** Finds the grants matching a description; the backend's match endpoint by default. */
  search?: (query: string) => Promise<GrantMatch[]>;
}

export function GrantSearch({
  search = (query) => matchGrants(query),
}: GrantSearchProps) {
  const [query, setQuery] = useState("");
  const [state, setState] = useState<SearchState>({ kind: "idle" });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = query.trim();
    if (!text) {
      setState({
        kind: "failed",
        message: "Describe your organisation's project first.",
      });
      return;
    }
    setState({ kind: "loading" });
    try {
      setState({ kind: "done", matches: await search(text) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      setState({ kind: "failed", message: `The search failed: ${reason}` });
    }
  }

  return (
    <section>
      <form role="search" onSubmit={onSubmit}>
        <label htmlFor="grant-query">
          What does your organisation want to do?
        </label>
        <input
          id="grant-query"
          name="q"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="e.g. solar panels on our warehouse roof"
        />
        <button type="submit" disabled={state.kind === "loading"}>
          Find grants
        </button>
      </form>
      {state.kind === "loading" && <p role="status">Searching…</p>}
      {state.kind === "failed" && <p role="alert">{state.message}</p>}
      {state.kind === "done" && <GrantList matches={state.matches} />}
    </section>
  );
}
