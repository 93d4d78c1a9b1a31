// The command's own files and its guide: it never rewrites them. The code holds no service
// name (the current one is read from package.json); the guide names the template's on purpose.
const TOOL_FILES = [
  /^scripts\/make-it-yours\.ts$/,
  /^scripts\/make-it-yours\//,
  /^test\/(?:[^/]+\/)*make-it-yours[^/]*$/,
  /^docs\/make-it-yours\.md$/,
];

export const isToolFile = (file: string) => TOOL_FILES.some((pattern) => pattern.test(file));
