'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/tasks', label: 'Data Migration' },
  { href: '/system', label: 'System' },
  { href: '/account', label: 'Account' },
] as const;

export function SidebarNav() {
  const pathname = usePathname();
  return (
    <ul>
      {LINKS.map((link) => {
        const isCurrent = pathname === link.href || pathname.startsWith(`${link.href}/`);
        return (
          <li key={link.href}>
            <Link href={link.href} aria-current={isCurrent ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
