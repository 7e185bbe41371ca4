/**
 * Finds the raw text of a nested member of a JSON document (e.g. message.agentState) without
 * parsing numbers, so the agent state goes back to the agent byte-for-byte equal in value:
 * integers beyond 2^53 survive. Returns undefined when the path is absent.
 */
export function rawMember(text: string, path: readonly string[]): string | undefined {
  let i = skipWs(text, 0);
  for (let depth = 0; depth < path.length; depth++) {
    if (text[i] !== "{") return undefined;
    i = skipWs(text, i + 1);
    let found = false;
    while (text[i] !== "}") {
      const keyEnd = endOfString(text, i);
      const key = JSON.parse(text.slice(i, keyEnd)) as string;
      i = skipWs(text, keyEnd);
      if (text[i] !== ":") throw new SyntaxError("expected ':'");
      i = skipWs(text, i + 1);
      if (key === path[depth]) {
        found = true;
        break;
      }
      i = skipWs(text, endOfValue(text, i));
      if (text[i] === ",") i = skipWs(text, i + 1);
    }
    if (!found) return undefined;
  }
  return text.slice(i, endOfValue(text, i));
}

function skipWs(t: string, i: number): number {
  while (i < t.length && (t[i] === " " || t[i] === "\n" || t[i] === "\r" || t[i] === "\t")) i++;
  return i;
}

function endOfString(t: string, i: number): number {
  if (t[i] !== '"') throw new SyntaxError("expected a string");
  i++;
  while (i < t.length) {
    const ch = t[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  throw new SyntaxError("unterminated string");
}

function endOfValue(t: string, i: number): number {
  const ch = t[i];
  if (ch === '"') return endOfString(t, i);
  if (ch === "{" || ch === "[") {
    let depth = 0;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') {
        i = endOfString(t, i);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError("unterminated value");
  }
  let j = i;
  while (j < t.length && !",}] \n\r\t".includes(t[j]!)) j++;
  if (j === i) throw new SyntaxError("expected a value");
  return j;
}
