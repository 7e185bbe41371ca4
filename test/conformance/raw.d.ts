// Vite's `?raw` imports: a file's text (the vendors' specifications read by the conformance tests).
declare module "*?raw" {
  const text: string;
  export default text;
}
