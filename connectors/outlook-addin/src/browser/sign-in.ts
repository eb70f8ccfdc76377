/// <reference lib="dom" />
/// <reference types="office-js" />
import { sealpostBaseUrl } from './token-store';

// The sign-in dialog: the person's password and code open a short session, the session asks
// for an add-in token, and the session ends at once. Only the add-in token goes back to the
// task pane, through Office's dialog channel.

interface ApiAnswer {
  token?: string;
  message?: string;
}

async function post(path: string, body: unknown, bearer?: string): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) {
    headers.authorization = `Bearer ${bearer}`;
  }
  const response = await fetch(sealpostBaseUrl() + path, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as ApiAnswer;
  if (!response.ok) {
    throw new Error(answer.message ?? `Sealpost answered ${response.status}`);
  }
  return answer;
}

async function signIn(form: HTMLFormElement): Promise<void> {
  const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
  const session = await post('/v1/auth/sessions', {
    email: field('email'),
    password: field('password'),
    code: field('code'),
  });
  try {
    const issued = await post('/v1/addin/tokens', { client: 'outlook' }, session.token);
    Office.context.ui.messageParent(JSON.stringify({ token: issued.token }));
  } finally {
    await post('/v1/auth/session/end', {}, session.token).catch(() => undefined);
  }
}

void Office.onReady(() => {
  const form = document.getElementById('sign-in') as HTMLFormElement;
  const status = document.getElementById('status') as HTMLElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = 'Signing in…';
    signIn(form).then(
      () => (status.textContent = 'Signed in. You can close this window.'),
      (error: Error) => (status.textContent = error.message),
    );
  });
});
