// OpenSSL's digests (SHA-256 with the CPU's SHA instructions), for content hashes of models and data.
#include <openssl/evp.h>
