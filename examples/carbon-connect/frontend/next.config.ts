import type { NextConfig } from "next";

// A static export (out/): the page talks to the backend from the browser, so any static file
// server (or the backend's host) can serve it.
const config: NextConfig = {
  output: "export",
  reactStrictMode: true,
};

export default config;
