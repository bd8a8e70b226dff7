import type { ProviderDescription, ProviderField } from '../types.js';
import { fieldState, isSecretSet, isWriteOnly, urlMovesAway, type ConfigContext, type ConfigEdits, type FieldState } from './provider-config.js';

export interface ProviderFormProps {
  /** Prefix of the element ids (one form per bot). */
  idPrefix: string;
  providerName: string;
  /** Undefined while the provider list loads, or for a provider this gateway does not describe. */
  description: ProviderDescription | undefined;
  /** The provider list is still on its way. */
  loading?: boolean;
  ctx: ConfigContext;
  edits: ConfigEdits;
  onEdit: (key: string, state: FieldState) => void;
  /** Server validation problems by field key. */
  errors: Record<string, string[]>;
}

/**
 * A provider's config as a form generated from its field descriptors (GET /api/bot-providers):
 * required marks, help, placeholders; lists one per line; maps as name/value rows; secrets
 * write-only (never shown, kept when left empty, removable on purpose).
 */
export function ProviderConfigForm({ idPrefix, providerName, description, loading, ctx, edits, onEdit, errors }: ProviderFormProps) {
  const fields = description?.fields ?? [];
  const required = fields.some((f) => f.required);
  return (
    <fieldset class="provider-config" data-testid="provider-config" data-provider={providerName}>
      <legend>Provider settings{description ? `: ${description.title}` : ''}</legend>
      {description?.docs && (
        <p class="hint" data-testid="provider-docs">
          Setup guide: <code>{description.docs}</code>
        </p>
      )}
      {!description && loading ? (
        <p class="hint" role="status">
          Loading the provider’s settings…
        </p>
      ) : !description ? (
        <p class="hint" data-testid="provider-undescribed">
          This gateway describes no settings form for <code>{providerName}</code>: its stored settings are kept as they are.
        </p>
      ) : fields.length === 0 ? (
        <p class="hint" data-testid="provider-no-settings">
          No settings.
        </p>
      ) : (
        <>
          {required && (
            <p class="hint">
              Fields marked <span aria-hidden="true">*</span>
              <span class="visually-hidden">with a star</span> are required.
            </p>
          )}
          <div class="form-grid cols-2">
            {fields.map((f) => (
              <ConfigField key={f.key} id={`${idPrefix}-cfg-${f.key.replace(/[^A-Za-z0-9_-]/g, '-')}`} field={f} state={fieldState(ctx, edits, f)} writeOnly={isWriteOnly(f, ctx.secrets)} set={isSecretSet(f, ctx.secretsSet)} onEdit={(s) => onEdit(f.key, s)} errors={errors[f.key] ?? []} />
            ))}
          </div>
          {urlMovesAway(ctx, edits) && (
            <p class="notice notice-warn" data-testid="provider-url-moves">
              The address moves to another host: the stored secrets belong to the old one and are removed when you save, unless you enter them again here.
            </p>
          )}
        </>
      )}
    </fieldset>
  );
}

interface FieldProps {
  id: string;
  field: ProviderField;
  state: FieldState;
  writeOnly: boolean;
  /** A write-only field with a stored value. */
  set: boolean;
  onEdit: (s: FieldState) => void;
  errors: string[];
}

function ConfigField({ id, field, state, writeOnly, set, onEdit, errors }: FieldProps) {
  const hintId = field.help || field.kind === 'list' ? `${id}-hint` : undefined;
  const stateId = writeOnly && set ? `${id}-state` : undefined;
  const errorId = errors.length ? `${id}-error` : undefined;
  const describedBy = [stateId, hintId, errorId].filter(Boolean).join(' ') || undefined;
  const wide = field.kind === 'textarea' || field.kind === 'list' || field.kind === 'map' || field.kind === 'url';
  const mark = field.required ? (
    <span class="required-mark" aria-hidden="true">
      {' '}
      *
    </span>
  ) : null;
  const common = {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': errors.length ? ('true' as const) : undefined,
    'data-testid': 'provider-input',
    'data-key': field.key,
  };
  const edit = (patch: Partial<FieldState>) => onEdit({ ...state, ...patch });
  // A stored secret is not asked for again; a required one that is not stored is.
  const isRequired = !!field.required && !(writeOnly && set) && !state.clear;
  const placeholder = writeOnly && set ? 'set — leave empty to keep' : field.placeholder;

  let control;
  if (field.kind === 'map') {
    control = <MapRows id={id} label={field.label} rows={state.rows} secret={writeOnly} disabled={state.clear} onChange={(rows) => edit({ rows })} describedBy={describedBy} />;
  } else if (field.kind === 'textarea' || field.kind === 'list') {
    control = <textarea {...common} rows={field.kind === 'list' ? 3 : 4} value={state.text} placeholder={placeholder} required={isRequired} disabled={state.clear} spellcheck={false} autoComplete="off" onInput={(e) => edit({ text: e.currentTarget.value })} />;
  } else {
    const type = field.kind === 'secret' ? 'password' : field.kind === 'number' ? 'number' : field.kind === 'url' ? 'url' : 'text';
    control = (
      <input
        {...common}
        // Preact types each input type apart; the kind decides at run time.
        type={type as 'text'}
        step={field.kind === 'number' ? 'any' : undefined}
        inputMode={field.kind === 'number' ? 'decimal' : field.kind === 'url' ? 'url' : undefined}
        value={state.text}
        placeholder={placeholder}
        required={isRequired}
        disabled={state.clear}
        autoComplete={writeOnly ? 'new-password' : 'off'}
        autoCapitalize="none"
        spellcheck={false}
        onInput={(e) => edit({ text: e.currentTarget.value })}
      />
    );
  }

  return (
    <div class={`field${wide ? ' is-wide' : ''}`} data-testid="provider-field" data-key={field.key} data-kind={field.kind} data-write-only={writeOnly ? 'true' : undefined}>
      {field.kind === 'map' ? (
        <p class="sub-label" id={`${id}-label`}>
          {field.label}
          {mark}
          {field.required && <span class="visually-hidden"> (required)</span>}
        </p>
      ) : (
        <label for={id}>
          {field.label}
          {mark}
        </label>
      )}
      {control}
      {writeOnly && set && (
        <p class="secret-state" id={stateId} data-testid="provider-secret-state">
          {state.clear ? 'Removed when you save.' : field.kind === 'map' ? 'Set — leave empty to keep; entries added here are added (a same name replaces).' : 'Set — leave empty to keep.'}{' '}
          <button type="button" class="btn-link" onClick={() => edit({ clear: !state.clear, text: '', rows: [] })} data-testid="provider-secret-clear">
            {state.clear ? 'Keep it' : 'Remove it'}
            <span class="visually-hidden"> (the stored {field.label})</span>
          </button>
        </p>
      )}
      {hintId && (
        <p class="hint" id={hintId}>
          {field.kind === 'list' ? 'One per line. ' : ''}
          {field.help}
        </p>
      )}
      {errors.map((e, i) => (
        <p key={i} class="field-error" id={i === 0 ? errorId : undefined} data-testid="provider-field-error">
          {e}
        </p>
      ))}
    </div>
  );
}

function MapRows({ id, label, rows, secret, disabled, onChange, describedBy }: { id: string; label: string; rows: { name: string; value: string }[]; secret: boolean; disabled: boolean; onChange: (rows: { name: string; value: string }[]) => void; describedBy?: string }) {
  const set = (i: number, patch: Partial<{ name: string; value: string }>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div class="map-rows" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy} data-testid="provider-map" id={id}>
      {rows.map((r, i) => (
        <div class="map-row" key={i} data-testid="provider-map-row">
          <label class="visually-hidden" for={`${id}-name-${i}`}>
            Name {i + 1} of {label}
          </label>
          <input id={`${id}-name-${i}`} value={r.name} placeholder="Name" disabled={disabled} autoCapitalize="none" spellcheck={false} autoComplete="off" onInput={(e) => set(i, { name: e.currentTarget.value })} data-testid="provider-map-name" />
          <label class="visually-hidden" for={`${id}-value-${i}`}>
            Value {i + 1} of {label}
          </label>
          <input id={`${id}-value-${i}`} type={(secret ? 'password' : 'text') as 'text'} value={r.value} placeholder="Value" disabled={disabled} autoCapitalize="none" spellcheck={false} autoComplete={secret ? 'new-password' : 'off'} onInput={(e) => set(i, { value: e.currentTarget.value })} data-testid="provider-map-value" />
          <button type="button" class="btn btn-secondary btn-small" disabled={disabled} onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${r.name || `entry ${i + 1}`} from ${label}`} data-testid="provider-map-remove">
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="btn btn-secondary btn-small" disabled={disabled} onClick={() => onChange([...rows, { name: '', value: '' }])} data-testid="provider-map-add">
        Add to {label}
      </button>
    </div>
  );
}
