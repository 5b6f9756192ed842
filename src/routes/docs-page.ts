// The interactive API reference at /api/docs: one self-contained page (no CDN, so it works offline and
// under a strict CSP) that renders /api/openapi.json and can send requests with a token the user pastes.
export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HLSmith API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 16px 24px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 20px; margin: 0; flex: 1; }
  header input { width: 360px; max-width: 100%; padding: 6px 8px; border-radius: 4px; border: 0; }
  main { max-width: 1000px; margin: 0 auto; padding: 16px 24px 48px; }
  h2 { margin: 28px 0 8px; font-size: 18px; }
  details { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 6px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .method { font: bold 12px monospace; text-transform: uppercase; width: 56px; text-align: center; padding: 2px 0; border-radius: 3px; color: #fff; }
  .get { background: #2b7a4b; } .post { background: #1f5fbf; } .put { background: #a66a00; } .delete { background: #b3261e; }
  code.path { font-size: 14px; }
  .summary { color: #555; }
  .body { padding: 4px 16px 16px; border-top: 1px solid #eef0f3; }
  pre { background: #f2f4f7; padding: 8px; border-radius: 4px; overflow: auto; max-height: 320px; font-size: 12px; }
  label { display: block; margin: 6px 0 2px; font-size: 13px; }
  input.param, textarea { width: 100%; box-sizing: border-box; font: 13px monospace; padding: 4px 6px; }
  textarea { min-height: 90px; }
  button { margin-top: 8px; padding: 6px 14px; border-radius: 4px; border: 0; background: #1f5fbf; color: #fff; cursor: pointer; }
</style>
</head>
<body>
<header>
  <h1>HLSmith API reference</h1>
  <input id="token" placeholder="Bearer token for try-it requests (stored in this browser)">
</header>
<main id="content"><p>Loading /api/openapi.json…</p></main>
<script>
const tokenInput = document.getElementById('token');
tokenInput.value = localStorage.getItem('hlsmith-token') || '';
tokenInput.addEventListener('change', () => localStorage.setItem('hlsmith-token', tokenInput.value.trim()));

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function exampleFor(schema) {
  if (!schema) return {};
  if (schema.default !== undefined) return schema.default;
  if (schema.type === 'object') {
    const value = {};
    for (const [name, property] of Object.entries(schema.properties || {})) value[name] = exampleFor(property);
    return value;
  }
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'array') return [];
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
  if (schema.type === 'boolean') return true;
  return 'string';
}

function renderOperation(path, method, operation) {
  const body = element('div', { class: 'body' });
  const params = {};
  for (const parameter of operation.parameters || []) {
    const input = element('input', { class: 'param', placeholder: parameter.in + (parameter.required ? ', required' : '') });
    params[parameter.name] = { input, where: parameter.in };
    body.append(element('label', {}, parameter.name + (parameter.description ? ' – ' + parameter.description : '')), input);
  }
  const json = operation.requestBody?.content?.['application/json'];
  let bodyInput;
  if (json) {
    bodyInput = element('textarea', {}, JSON.stringify(exampleFor(json.schema), null, 2));
    body.append(element('label', {}, 'JSON body'), bodyInput, element('pre', {}, JSON.stringify(json.schema, null, 2)));
  } else if (operation.requestBody) {
    body.append(element('p', {}, 'Body: ' + Object.keys(operation.requestBody.content).join(', ') + ' (send it with curl; see the README)'));
  }
  const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
  if (success) {
    const [status, response] = success;
    const schema = Object.values(response.content || {})[0]?.schema;
    body.append(element('label', {}, 'Response ' + status), element('pre', {}, JSON.stringify(schema, null, 2)));
  }
  const errors = Object.keys(operation.responses).filter((status) => !status.startsWith('2'));
  if (errors.length) body.append(element('p', {}, 'Errors: ' + errors.join(', ') + ' (error envelope)'));

  const output = element('pre', {});
  const send = element('button', { type: 'button' }, 'Try it');
  send.addEventListener('click', async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const [name, { input, where }] of Object.entries(params)) {
      if (where === 'path') url = url.replace('{' + name + '}', encodeURIComponent(input.value));
      else if (input.value) query.set(name, input.value);
    }
    const headers = {};
    if (tokenInput.value.trim()) headers.Authorization = 'Bearer ' + tokenInput.value.trim();
    if (bodyInput) headers['Content-Type'] = 'application/json';
    const started = performance.now();
    const response = await fetch(url + (query.size ? '?' + query : ''), { method: method.toUpperCase(), headers, body: bodyInput ? bodyInput.value : undefined });
    const text = await response.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
    output.textContent = response.status + ' ' + response.statusText + ' in ' + Math.round(performance.now() - started) + ' ms\\n\\n' + shown.slice(0, 20000);
  });
  body.append(send, output);

  return element('details', {}, element('summary', {}, element('span', { class: 'method ' + method }, method), element('code', { class: 'path' }, path), element('span', { class: 'summary' }, operation.summary)), body);
}

fetch('/api/openapi.json').then((response) => response.json()).then((doc) => {
  const content = document.getElementById('content');
  content.replaceChildren(element('p', {}, doc.info.description));
  const byTag = new Map();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(renderOperation(path, method, operation));
    }
  }
  for (const [tag, operations] of byTag) content.append(element('h2', {}, tag), ...operations);
});
</script>
</body>
</html>
`;
