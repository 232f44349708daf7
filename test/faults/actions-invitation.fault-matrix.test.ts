import { actionsMatrix } from './actions-matrix';

// The Actions' fault matrix, the flows of post-user-registration (the other trigger's are their own suite, run beside this one).
actionsMatrix('post-user-registration');
