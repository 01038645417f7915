// The codecs of Parquet files, from Debian's libraries (libsnappy-dev, libzstd-dev, liblz4-dev, zlib1g-dev).
#include <snappy-c.h>
#include <zstd.h>
#include <lz4.h>
#include <zlib.h>
