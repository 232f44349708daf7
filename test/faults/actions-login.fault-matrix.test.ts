import { actionsMatrix } from './actions-matrix';

// The Actions' fault matrix, the flows of post-login (the other trigger's are their own suite, run beside this one).
actionsMatrix('post-login');
