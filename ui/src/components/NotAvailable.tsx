export function NotAvailable({ what, method }: { what: string; method: string }) {
  return (
    <p class="muted not-available">
      {what} is not available on this gateway (it does not implement <code>{method}</code>).
    </p>
  );
}

export function ErrorText({ error }: { error: string | undefined }) {
  return error ? <p class="error-text" role="alert">{error}</p> : null;
}
