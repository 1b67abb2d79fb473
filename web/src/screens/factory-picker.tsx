/** The factory a request goes to. */
export function FactoryPicker({ value, onChange }: { value: string; onChange: (factoryId: string) => void }) {
  return (
    <label>
      Factory id
      <input required maxLength={100} value={value} onChange={(e) => onChange(e.target.value)} placeholder="e.g. F001" />
    </label>
  );
}
