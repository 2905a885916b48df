// The token suite against a TPM 2.0 token: swtpm + tpm2-abrmd + tpm2-pkcs11 (see token-suite.ts).
import { tokenSuite } from './token-suite.ts';

tokenSuite('tpm');
