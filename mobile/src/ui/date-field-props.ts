/** What a DateField takes, on every platform (DateField.tsx native, DateField.web.tsx web): days as 'YYYY-MM-DD'. */
export interface DateFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (day: string) => void;
  readonly min?: string;
  readonly max?: string;
  readonly testID?: string;
}
