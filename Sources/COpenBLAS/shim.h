#include <cblas.h>

/* OpenBLAS exports these without declaring them in cblas.h: re-reading its OPENBLAS_* settings
   and stopping its thread pool, which restarts with them at the next threaded call. */
void openblas_read_env(void);
int blas_thread_shutdown_(void);
