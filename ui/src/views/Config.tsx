// Config: a form generated from the gateway's JSON Schema (config.schema), one tab per top-level
// section, with the descriptions and checks the schema carries; every change is reviewed as a diff
// before it is sent as a JSON merge patch. The raw JSON5 patch editor stays beside it. A rejection
// from the gateway lists each issue with its key path (a link to the field) and the fix.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { FixLine } from '../components/CopyButton.js';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import { GatewayRequestError, type GatewayClient } from '../gateway/client.js';
import { useGatewayData } from '../hooks.js';
import {
  REDACTED, applyMergePatch, changes, expected, fieldKind, formatInput, getAt, isSensitiveKey, mergeDiff, nodeAt, parseInput, setAt, suggestions, validate,
  type Change, type FieldKind, type SchemaNode,
} from './config-model.js';
import './views.css';

interface ConfigSnapshot {
  path?: string;
  exists?: boolean;
  config?: unknown;
  hash?: string;
  valid?: boolean;
  issues?: unknown[];
}

interface Issue {
  path: string;
  message: string;
  fix?: string;
}

interface Result {
  /** Which editor sent it: its box shows the outcome. */
  source: 'form' | 'raw';
  ok: boolean;
  text: string;
  issues?: Issue[];
  fix?: string;
}

function toIssue(issue: unknown): Issue {
  if (issue && typeof issue === 'object') {
    const i = issue as { path?: unknown; message?: unknown; fix?: unknown };
    const path = Array.isArray(i.path) ? i.path.join('.') : typeof i.path === 'string' ? i.path : '';
    return { path, message: String(i.message ?? JSON.stringify(issue)), ...(typeof i.fix === 'string' ? { fix: i.fix } : {}) };
  }
  return { path: '', message: String(issue) };
}

const issueText = (i: Issue) => `${i.path ? `${i.path}: ` : ''}${i.message}`;
/** Sections the form leaves to the raw editor: `$schema` and setup's own bookkeeping. */
const HIDDEN_SECTIONS = new Set(['$schema', 'meta']);

export function ConfigView({ client }: { client: GatewayClient }) {
  const snap = useGatewayData<ConfigSnapshot>(client, 'config.get', {});
  const schemaData = useGatewayData<{ schema?: SchemaNode }>(client, 'config.schema', {});
  const [result, setResult] = useState<Result | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => client.on('config.changed', snap.reload), [client, snap.reload]);

  if (snap.notAvailable) return <NotAvailable what="Config" method="config.get" />;

  /** Sends a merge patch; the outcome is shown under whichever editor sent it. */
  const send = async (raw: string, source: Result['source']): Promise<boolean> => {
    setBusy(true);
    setResult(undefined);
    try {
      await client.request('config.patch', { raw, ...(snap.data?.hash ? { baseHash: snap.data.hash } : {}) });
      setResult({ source, ok: true, text: 'Saved. The gateway validated and applied the change.' });
      snap.reload();
      return true;
    } catch (err) {
      const details = err instanceof GatewayRequestError ? err.details : undefined;
      const issues = Array.isArray(details?.issues) ? details!.issues.map(toIssue) : undefined;
      const fix = typeof details?.fix === 'string' ? details.fix : undefined;
      setResult({ source, ok: false, text: err instanceof Error ? err.message : String(err), issues, fix });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const d = snap.data;
  const schema = schemaData.data?.schema;
  return (
    <div class="config">
      <ErrorText error={snap.error} />
      <p class="muted">
        {d?.path ?? ''} {d?.hash ? `· hash ${d.hash.slice(0, 12)}` : ''} {d?.valid === false ? '· INVALID' : ''} · secrets are redacted
      </p>
      {d?.issues && d.issues.length > 0 && (
        <ul class="issues">{d.issues.map((i, k) => <li key={k}>{issueText(toIssue(i))}</li>)}</ul>
      )}
      {schema && d && <ConfigForm schema={schema} current={d.config ?? {}} hash={d.hash} busy={busy} result={result} send={send} />}
      {schemaData.error && !schemaData.notAvailable && <p class="muted">The form needs <code>config.schema</code>: {schemaData.error}</p>}
      <div class="config-grid">
        <section>
          <h3>Current (redacted)</h3>
          <pre class="config-view" tabIndex={0} aria-label="Current config (redacted)">{d ? JSON.stringify(d.config ?? {}, null, 2) : 'loading…'}</pre>
        </section>
        <RawEditor current={d?.config} busy={busy} result={result} send={send} schema={schema} />
      </div>
    </div>
  );
}

function ResultBox({ result, schema, onPath }: { result: Result; schema?: SchemaNode; onPath?(path: string): void }) {
  return (
    <div class={result.ok ? 'ok-text' : 'error-text'} role="status" data-config-result={result.ok ? 'ok' : 'rejected'}>
      <p>{result.ok ? result.text : `Rejected by the gateway: ${result.text}`}</p>
      {result.issues && (
        <ul class="error-list">
          {result.issues.map((i) => {
            const node = schema && i.path ? nodeAt(schema, i.path) : undefined;
            return (
              <li key={issueText(i)} data-issue-path={i.path}>
                {i.path && onPath ? <button type="button" class="link" onClick={() => onPath(i.path)}>{i.path}</button> : <code>{i.path || '(top level)'}</code>}: {i.message}
                {node && fieldKind(node) !== 'skip' && <span class="muted"> — expected {expected(node)}</span>}
                {i.fix && i.fix !== result.fix && <FixLine fix={i.fix} />}
              </li>
            );
          })}
        </ul>
      )}
      {result.fix && <FixLine fix={result.fix} />}
    </div>
  );
}

function ConfigForm({ schema, current, hash, busy, result, send }: {
  schema: SchemaNode; current: unknown; hash?: string; busy: boolean; result?: Result; send(raw: string, source: Result['source']): Promise<boolean>;
}) {
  const sections = Object.keys(schema.properties ?? {}).filter((k) => !HIDDEN_SECTIONS.has(k));
  const [section, setSection] = useState(sections[0] ?? 'gateway');
  const [next, setNext] = useState<unknown>(current);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reviewing, setReviewing] = useState(false);
  // A new snapshot (saved here, elsewhere, or by the file watcher) resets the draft.
  useEffect(() => {
    setNext(current);
    setTexts({});
    setErrors({});
    setReviewing(false);
  }, [hash]);

  const diff: Change[] = useMemo(() => changes(current, next), [current, next]);
  const invalid = Object.entries(errors).filter(([, e]) => e);
  const mine = result?.source === 'form' ? result : undefined;
  const serverIssues = new Map((mine && !mine.ok ? mine.issues ?? [] : []).map((i) => [i.path, i.message]));

  const edit = (path: string, node: SchemaNode, kind: FieldKind, text: string) => {
    setTexts((t) => ({ ...t, [path]: text }));
    const prev = getAt(current, path);
    // An empty secret field keeps the secret (it is only shown as set).
    if (prev === REDACTED && text === '') {
      setErrors((e) => ({ ...e, [path]: '' }));
      return setNext((n: unknown) => setAt(n, path, REDACTED));
    }
    const parsed = parseInput(node, kind, text);
    const error = parsed.error ?? (parsed.value !== undefined ? validate(node, parsed.value) : undefined);
    setErrors((e) => ({ ...e, [path]: error ?? '' }));
    if (!parsed.error) setNext((n: unknown) => setAt(n, path, parsed.value));
  };
  const goTo = (path: string) => {
    setSection(path.split('.')[0]);
    setReviewing(false);
    setTimeout(() => (document.querySelector(`[data-path="${CSS.escape(path)}"]`) as HTMLElement | null)?.focus(), 0);
  };
  const apply = async () => {
    if (await send(JSON.stringify(mergeDiff(current, next)), 'form')) setReviewing(false);
  };
  const sectionNode = schema.properties?.[section];
  return (
    <section class="config-form" aria-labelledby="config-form-h">
      <h2 id="config-form-h">Settings</h2>
      <div class="config-tabs" role="group" aria-label="Config sections">
        {sections.map((s) => {
          const n = changes(getAt(current, s), getAt(next, s)).length;
          return (
            <button key={s} type="button" class="secondary" aria-pressed={s === section} data-section={s} onClick={() => setSection(s)}>
              {s}{n ? ` (${n})` : ''}
            </button>
          );
        })}
      </div>
      {sectionNode && (
        <div data-form-section={section}>
          {sectionNode.description && <p class="muted">{sectionNode.description}</p>}
          <Fields node={sectionNode} path={section} depth={0} ctx={{ current, next, texts, errors, serverIssues, edit }} />
        </div>
      )}
      <div class="toolbar">
        <button type="button" data-action="review" disabled={diff.length === 0 || invalid.length > 0} onClick={() => setReviewing(true)}>
          Review {diff.length} change{diff.length === 1 ? '' : 's'}
        </button>
        {diff.length > 0 && <button type="button" class="secondary" onClick={() => (setNext(current), setTexts({}), setErrors({}), setReviewing(false))}>Discard</button>}
        {invalid.length > 0 && <span class="error-text">{invalid.length} field{invalid.length === 1 ? '' : 's'} to fix first</span>}
      </div>
      {reviewing && diff.length > 0 && (
        <div class="diff" data-diff>
          <h3>Changes to apply</h3>
          <DiffTable diff={diff} />
          <button type="button" data-action="apply" disabled={busy} onClick={apply}>{busy ? 'Validating…' : 'Apply'}</button>{' '}
          <button type="button" class="secondary" onClick={() => setReviewing(false)}>Back to editing</button>
        </div>
      )}
      {mine && <ResultBox result={mine} schema={schema} onPath={goTo} />}
    </section>
  );
}

function DiffTable({ diff }: { diff: Change[] }) {
  return (
    <table>
      <thead><tr><th>Key</th><th>Now</th><th>After</th></tr></thead>
      <tbody>
        {diff.map((c) => (
          <tr key={c.path} data-change={c.path} data-kind={c.kind}>
            <td><code>{c.path}</code></td>
            <td class="old">{c.before ?? <span class="muted">(unset)</span>}</td>
            <td class="new">{c.after ?? <span class="muted">(removed)</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface FieldCtx {
  current: unknown;
  next: unknown;
  texts: Record<string, string>;
  errors: Record<string, string>;
  serverIssues: Map<string, string>;
  edit(path: string, node: SchemaNode, kind: FieldKind, text: string): void;
}

function Fields({ node, path, depth, ctx }: { node: SchemaNode; path: string; depth: number; ctx: FieldCtx }) {
  const entries = Object.entries(node.properties ?? {}).filter(([, n]) => fieldKind(n) !== 'skip');
  const kept = Object.entries(node.properties ?? {}).filter(([, n]) => fieldKind(n) === 'skip').map(([k]) => k);
  return (
    <>
      {entries.map(([key, child]) => {
        const p = `${path}.${key}`;
        const kind = fieldKind(child);
        if (kind !== 'group') return <Field key={p} name={key} path={p} node={child} kind={kind} ctx={ctx} />;
        const hasValue = getAt(ctx.next, p) !== undefined;
        const body = <Fields node={child} path={p} depth={depth + 1} ctx={ctx} />;
        // Groups start folded unless they hold a value: a section reads as its few top keys.
        return (
          <details key={p} open={hasValue} data-group={p} class={depth === 0 ? 'group-top' : undefined}>
            <summary>{key}{child.description ? <span class="muted"> — {child.description}</span> : null}</summary>
            {body}
          </details>
        );
      })}
      {kept.length > 0 && (
        <p class="muted small">Also accepted here and kept as written (upstream keys this gateway does not act on; edit them in the raw editor): {kept.join(', ')}</p>
      )}
    </>
  );
}

function Field({ name, path, node, kind, ctx }: { name: string; path: string; node: SchemaNode; kind: FieldKind; ctx: FieldCtx }) {
  const id = `cfg-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const now = getAt(ctx.current, path);
  const value = getAt(ctx.next, path);
  const secret = isSensitiveKey(name) && (kind === 'string' || now === REDACTED);
  const text = ctx.texts[path] ?? (value === REDACTED ? '' : formatInput(kind, value));
  const error = ctx.errors[path] || ctx.serverIssues.get(path);
  const onInput = (e: Event) => ctx.edit(path, node, kind, (e.currentTarget as HTMLInputElement).value);
  const common = { id, name: path, 'data-path': path, 'aria-invalid': error ? true : undefined, 'aria-describedby': `${id}-desc` };
  let input;
  if (kind === 'boolean' || kind === 'enum') {
    const options = kind === 'boolean' ? ['true', 'false'] : (node.enum ?? []).map(String);
    input = (
      <select {...common} value={text} onChange={onInput}>
        <option value="">(default)</option>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  } else if (kind === 'list' || kind === 'json') {
    input = <textarea {...common} rows={kind === 'json' ? Math.min(10, Math.max(2, text.split('\n').length)) : Math.max(2, text.split('\n').length)} spellcheck={false} value={text} onInput={onInput} />;
  } else {
    const list = suggestions(node);
    input = (
      <>
        <input {...common} type={(secret ? 'password' : kind === 'number' ? 'number' : 'text') as 'text'} value={text} onInput={onInput}
          placeholder={now === REDACTED ? '(set; type to replace)' : ''} list={list.length ? `${id}-list` : undefined}
          min={node.minimum} max={node.maximum !== undefined && node.maximum < 9e15 ? node.maximum : undefined} step={kind === 'number' && node.type === 'integer' ? 1 : undefined}
          autocomplete={secret ? 'off' : undefined} />
        {list.length > 0 && <datalist id={`${id}-list`}>{list.map((o) => <option key={o} value={o} />)}</datalist>}
      </>
    );
  }
  return (
    <div class={`field${error ? ' invalid' : ''}`} data-field={path}>
      <label for={id}>{name}{kind === 'list' ? ' (one per line)' : kind === 'json' ? ' (JSON)' : ''}</label>
      <p class="desc" id={`${id}-desc`}>{node.description ?? ''}{node.description ? ' ' : ''}<span class="muted">Expected: {expected(node)}.</span></p>
      {input}
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}

function RawEditor({ current, busy, result, send, schema }: { current: unknown; busy: boolean; result?: Result; send(raw: string, source: Result['source']): Promise<boolean>; schema?: SchemaNode }) {
  const [patch, setPatch] = useState('{\n  \n}');
  // JSON5 is loaded on demand (its Unicode tables would double the first-paint bundle); JSON until then.
  const [parse, setParse] = useState<(text: string) => unknown>(() => JSON.parse);
  useEffect(() => {
    let live = true;
    void import('json5').then((m) => live && setParse(() => m.default.parse));
    return () => void (live = false);
  }, []);
  // What the patch would change, before it is sent (JSON5, like the gateway reads it).
  const preview = useMemo((): { diff?: Change[]; error?: string } => {
    if (!patch.trim() || current === undefined) return {};
    try {
      return { diff: changes(current, applyMergePatch(current, parse(patch))) };
    } catch (err) {
      return { error: (err as Error).message.replace(/^JSON5: /, '') };
    }
  }, [patch, current, parse]);
  const apply = async (e: Event) => {
    e.preventDefault();
    await send(patch, 'raw');
  };
  return (
    <section>
      <h3>Change (raw JSON5)</h3>
      <form onSubmit={apply}>
        <p class="muted">
          A JSON merge patch: keys you write replace the current values, <code>null</code> deletes a key.
          Example: <code>{'{"gateway": {"controlUi": {"allowedOrigins": ["https://example.com"]}}}'}</code>
        </p>
        <label for="config-patch" class="muted small">Merge patch</label>
        <textarea id="config-patch" name="patch" class="config-edit" rows={14} spellcheck={false} value={patch} onInput={(e) => setPatch(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? 'Validating…' : 'Validate & apply'}</button>
      </form>
      {preview.error && <p class="muted small" data-raw-preview="invalid">Not JSON5 yet: {preview.error}</p>}
      {preview.diff && preview.diff.length > 0 && (
        <div class="diff" data-raw-preview="diff">
          <h3>Preview</h3>
          <DiffTable diff={preview.diff} />
        </div>
      )}
      {result?.source === 'raw' && <ResultBox result={result} schema={schema} />}
    </section>
  );
}
