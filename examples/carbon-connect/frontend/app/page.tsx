import { GrantSearch } from "@/components/GrantSearch";

export default function HomePage() {
  return (
    <main>
      <h1>Carbon Connect</h1>
      <p>
        Describe a project and find the carbon-reduction grants closest to it.
      </p>
      <GrantSearch />
    </main>
  );
}
