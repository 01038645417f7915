// The processor as CPUID describes it, for choosing kernels at run time. Swift cannot execute
// CPUID itself; this target is compiled for the baseline x86-64 so that it runs on any CPU.
#ifndef LECTERN_CPUID_H
#define LECTERN_CPUID_H

#include <stdbool.h>

typedef struct {
    char vendor[13];      // "GenuineIntel", "AuthenticAMD", ...
    char brand[49];       // the model name, as /proc/cpuinfo shows it
    int family, model, stepping;  // display family and model (extended fields folded in)
    // Instruction sets the processor has and the operating system saves the registers of.
    bool sse3, ssse3, sse4_1, sse4_2, avx, avx2, fma, f16c;
    bool avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512_vnni, avx512_bf16, avx512_fp16;
    bool amx_tile, amx_bf16, amx_int8;
} lectern_cpu;

// Fills `cpu`; on a processor without CPUID (not x86-64) every field is zero.
void lectern_cpu_identify(lectern_cpu *cpu);

// The engine's Swift code is compiled for x86-64-v3 (Package.swift). Returns NULL when this CPU
// runs it, else the name of the first instruction set it lacks: checked before any engine code runs,
// so that an older CPU gets a message instead of an illegal instruction.
const char *lectern_cpu_missing_for_engine(void);

#endif
