// The token suite against SoftHSM2 (see token-suite.ts).
import { tokenSuite } from './token-suite.ts';

tokenSuite('softhsm2');
