'use client';

import { useState } from 'react';
import { apiFetch } from '@/lib/api-client';

export function SignOutButton() {
  const [isBusy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button button-ghost-dark"
      disabled={isBusy}
      onClick={async () => {
        setBusy(true);
        try {
          await apiFetch('/api/auth/sign-out', { method: 'POST' });
        } finally {
          window.location.assign('/sign-in');
        }
      }}
    >
      Sign out
    </button>
  );
}
