import type { ReactNode } from 'react';
import { requireOperator } from '@/lib/current-operator';
import { SidebarNav } from '@/components/sidebar-nav';
import { SignOutButton } from '@/components/sign-out-button';

/** Every console page: signed-in operators only, with the sidebar. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const operator = await requireOperator();
  return (
    <>
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
          <SidebarNav />
          <div className="sidebar-footer">
            <span className="signed-in-as">
              Signed in as <strong data-testid="operator-name">{operator.username}</strong>
            </span>
            <SignOutButton />
          </div>
        </nav>
        <main id="main" className="content">
          {children}
        </main>
      </div>
    </>
  );
}
