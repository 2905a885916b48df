// A Secret key name as Kubernetes knows it: keys are case-sensitive ("tls.crt" is not
// "TLS.CRT"), so they show in monospace exactly as written, never upper-cased by a badge.
import { Badge, type MantineColor, type MantineSize } from '@mantine/core';

export interface KeyNameProps {
  name: string;
  /** A sign before the name, e.g. "+" for an added key. */
  prefix?: string;
  color?: MantineColor;
  variant?: 'light' | 'outline';
  size?: MantineSize;
}

export function KeyName({ name, prefix = '', color = 'gray', variant = 'light', size = 'sm' }: KeyNameProps) {
  return (
    <Badge color={color} variant={variant} size={size} tt="none" ff="monospace" fw={500} data-key-name={name}>
      {prefix}
      {name}
    </Badge>
  );
}
