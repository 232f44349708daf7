import { bulkInvitationMatrix } from './bulk-invite-matrix';

// The bulk invitation's fault matrix, direct mode (the other mode is its own suite, run beside this one).
bulkInvitationMatrix('direct');
