// The page's only way to act: the console's API (tools/console/console_api.hpp).
// Every change carries the session's CSRF token in a header.

let csrf = '';
let onLoggedOut = () => {};

export function setLoggedOutHandler(handler) { onLoggedOut = handler; }

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  return response;
}

async function answerOf(response) {
  let body;
  try { body = await response.json(); } catch { body = { result: 1, text: `HTTP ${response.status}` }; }
  if (response.status === 401) { onLoggedOut(body.text); throw new Error(body.text); }
  if (!response.ok) return { result: 1, text: body.text || `HTTP ${response.status}` };
  return body;
}

export async function login(name, password) {
  const answer = await answerOf(await post('/api/login', { name, password }));
  if (answer.result === 0) csrf = answer.csrf;
  return answer;
}

export async function session() {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) return null;
  const answer = await response.json();
  if (answer.result !== 0) return null;
  csrf = answer.csrf;
  return answer;
}

export async function logout() {
  await post('/api/logout', {});
  csrf = '';
}

/** One command: {result, text, arguments}. */
export async function call(command, args = {}) {
  return answerOf(await post('/api/call', { command, arguments: args }));
}

/**
 * A command whose progress matters (a card workflow): `onProgress` gets each
 * progress object as cardd sends it, the promise the final answer.
 */
export async function stream(command, args, onProgress) {
  const response = await post('/api/stream', { command, arguments: args });
  if (!response.ok || !response.body) return answerOf(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let answer = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      const parsed = JSON.parse(data);
      if (event === 'progress') onProgress(parsed);
      else if (event === 'answer') answer = parsed;
    }
    if (done) break;
  }
  if (!answer) return { result: 1, text: 'the console closed the stream before cardd answered' };
  if (answer.session) { onLoggedOut(answer.text); throw new Error(answer.text); }
  return answer;
}
