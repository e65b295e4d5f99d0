#ifndef CQUOTACRYPT_H
#define CQUOTACRYPT_H

/*
 * libcrypt's crypt_r, for checking the bcrypt hashes of the web config's
 * basic_auth_users (see CQuotaCrypt.c for why it is opened at run time).
 */

#include <stddef.h>

/*
 * Hashes `phrase` with the algorithm and salt that `setting` (a full hash
 * such as "$2b$10$...") names, writing the NUL-terminated result into
 * `output` (at most `output_size` bytes). Returns the result's length,
 * -1 when libcrypt refused the setting or the phrase, -2 when the result
 * did not fit, and -3 when libcrypt cannot be opened (then
 * cqs_crypt_load_error says why).
 */
int cqs_crypt_hash(const char *phrase, const char *setting, char *output, size_t output_size);

/* Why libcrypt could not be opened, or NULL when it was (or is not yet tried). */
const char *cqs_crypt_load_error(void);

#endif
