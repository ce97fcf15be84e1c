export const colors = {
  bg: '#f6f4ee',
  card: '#ffffff',
  text: '#1f2a1f',
  muted: '#667066',
  primary: '#2f6b3a',
  primaryText: '#ffffff',
  accent: '#e0a526',
  danger: '#b3261e',
  border: '#dcd8cc',
  live: '#d7263d',
  soil: '#b9a27c',
};

export const space = (n: number): number => n * 4;
