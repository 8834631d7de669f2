// The name this browser proposes at pairing (guessed from the user agent, kept in localStorage).
import { useState } from 'preact/hooks';
import { setStoredDeviceName, storedDeviceName } from '../lib/device-name.js';

export function DeviceNameForm({ label, onSaved, savedText }: { label: string; onSaved?: () => void; savedText: string }) {
  const [name, setName] = useState(storedDeviceName);
  const [saved, setSaved] = useState(false);
  return (
    <form class="inline-form device-name-form" onSubmit={(e) => {
      e.preventDefault();
      setStoredDeviceName(name);
      setName(storedDeviceName());
      setSaved(true);
      onSaved?.();
    }}>
      <label>
        {label} <input name="deviceName" value={name} maxLength={256} onInput={(e) => { setName(e.currentTarget.value); setSaved(false); }} />
      </label>
      <button type="submit" class="secondary">Save name</button>
      {saved && <span class="ok-text" role="status">{savedText}</span>}
    </form>
  );
}
