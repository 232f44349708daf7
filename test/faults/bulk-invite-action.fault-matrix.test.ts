import { bulkInvitationMatrix } from './bulk-invite-matrix';

// The bulk invitation's fault matrix, action mode (the other mode is its own suite, run beside this one).
bulkInvitationMatrix('action');
