import { Alert, Button, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { ErrorNote, PageTitle } from '../components/common';

/** The providers the gateway stores credentials for, with their fields (apps/gateway/src/apps/app.service.ts). */
const PROVIDERS: Record<string, { label: string; fields: { name: string; label: string; secret: boolean; required: boolean }[] }> = {
  openai: {
    label: 'OpenAI',
    fields: [
      { name: 'openai_api_key', label: 'API key', secret: true, required: true },
      { name: 'openai_api_base', label: 'API base URL', secret: false, required: false },
      { name: 'openai_organization', label: 'Organization', secret: false, required: false },
    ],
  },
  anthropic: {
    label: 'Anthropic',
    fields: [
      { name: 'anthropic_api_key', label: 'API key', secret: true, required: true },
      { name: 'anthropic_api_url', label: 'API URL', secret: false, required: false },
    ],
  },
  openai_api_compatible: {
    label: 'OpenAI-API-compatible',
    fields: [
      { name: 'endpoint_url', label: 'Endpoint URL', secret: false, required: true },
      { name: 'api_key', label: 'API key', secret: true, required: false },
      { name: 'endpoint_model_name', label: 'Model name at the endpoint', secret: false, required: false },
    ],
  },
};

export function ProvidersPage() {
  const [provider, setProvider] = useState('openai');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const spec = PROVIDERS[provider]!;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    const credentials: Record<string, string> = {};
    for (const f of spec.fields) if (values[f.name]?.trim()) credentials[f.name] = values[f.name]!.trim();
    try {
      await api.put(`/workspaces/current/model-providers/${provider}`, { credentials });
      setSaved(`Credentials of ${spec.label} saved. They are stored sealed and never shown again.`);
      setValues({});
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack maw={560}>
      <PageTitle>Model provider credentials</PageTitle>
      <Text c="dimmed" size="sm">
        Saving replaces the workspace&apos;s credentials for the provider. Nothing saved is ever shown back.
      </Text>
      <form onSubmit={(e) => void submit(e)} aria-label="Model provider credentials">
        <Stack>
          <Select
            label="Provider"
            allowDeselect={false}
            value={provider}
            onChange={(v) => {
              if (v) setProvider(v);
              setValues({});
            }}
            data={Object.entries(PROVIDERS).map(([value, p]) => ({ value, label: p.label }))}
          />
          {spec.fields.map((f) =>
            f.secret ? (
              <PasswordInput
                key={f.name}
                label={f.label}
                required={f.required}
                autoComplete="off"
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
              />
            ) : (
              <TextInput
                key={f.name}
                label={f.label}
                required={f.required}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
              />
            ),
          )}
          <ErrorNote error={error} title="Not saved" />
          {saved ? (
            <Alert color="green" role="status">
              {saved}
            </Alert>
          ) : null}
          <Button type="submit" loading={busy} w="fit-content">
            Save credentials
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
