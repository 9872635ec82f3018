import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Tidewater',
  description: 'Data transmission from MySQL-compatible databases to Apache Kafka',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <div className="shell">
          <nav className="sidebar" aria-label="Main">
            <div className="brand">
              <span aria-hidden="true" className="brand-mark">
                ≋
              </span>
              Tidewater
            </div>
            <ul>
              <li>
                <Link href="/tasks">Data Migration</Link>
              </li>
              <li>
                <Link href="/system">System</Link>
              </li>
            </ul>
          </nav>
          <main id="main" className="content">
            <Providers>{children}</Providers>
          </main>
        </div>
      </body>
    </html>
  );
}
