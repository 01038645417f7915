#include "lectern_cpuid.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void lectern_cpu_identify(lectern_cpu *cpu) {
    memset(cpu, 0, sizeof *cpu);
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return;
    unsigned int maxLeaf = eax;
    memcpy(cpu->vendor + 0, &ebx, 4);
    memcpy(cpu->vendor + 4, &edx, 4);
    memcpy(cpu->vendor + 8, &ecx, 4);

    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    int baseFamily = (eax >> 8) & 0xf, baseModel = (eax >> 4) & 0xf;
    cpu->family = baseFamily == 0xf ? baseFamily + ((eax >> 20) & 0xff) : baseFamily;
    cpu->model = (baseFamily == 0x6 || baseFamily == 0xf) ? (((eax >> 16) & 0xf) << 4) | baseModel : baseModel;
    cpu->stepping = eax & 0xf;
    cpu->sse3 = ecx & bit_SSE3;
    cpu->ssse3 = ecx & bit_SSSE3;
    cpu->sse4_1 = ecx & bit_SSE4_1;
    cpu->sse4_2 = ecx & bit_SSE4_2;

    // A register file the OS does not save on a context switch cannot be used, whatever CPUID says:
    // XCR0 bits 1-2 are SSE and AVX state, 5-7 the AVX-512 state, 17-18 the AMX tiles.
    unsigned long long xcr0 = (ecx & bit_OSXSAVE) ? xgetbv0() : 0;
    bool osAVX = (xcr0 & 0x6) == 0x6;
    bool osAVX512 = osAVX && (xcr0 & 0xe0) == 0xe0;
    bool osAMX = (xcr0 & 0x60000) == 0x60000;
    cpu->avx = osAVX && (ecx & bit_AVX);
    cpu->fma = osAVX && (ecx & bit_FMA);
    cpu->f16c = osAVX && (ecx & bit_F16C);

    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        unsigned int subleaves = eax;
        cpu->avx2 = osAVX && (ebx & bit_AVX2);
        cpu->avx512f = osAVX512 && (ebx & bit_AVX512F);
        cpu->avx512dq = osAVX512 && (ebx & bit_AVX512DQ);
        cpu->avx512cd = osAVX512 && (ebx & bit_AVX512CD);
        cpu->avx512bw = osAVX512 && (ebx & bit_AVX512BW);
        cpu->avx512vl = osAVX512 && (ebx & bit_AVX512VL);
        cpu->avx512_vnni = osAVX512 && (ecx & bit_AVX512VNNI);
        cpu->avx512_fp16 = osAVX512 && (edx & (1u << 23));
        cpu->amx_bf16 = osAMX && (edx & (1u << 22));
        cpu->amx_tile = osAMX && (edx & (1u << 24));
        cpu->amx_int8 = osAMX && (edx & (1u << 25));
        if (subleaves >= 1) {
            __cpuid_count(7, 1, eax, ebx, ecx, edx);
            cpu->avx512_bf16 = osAVX512 && (eax & (1u << 5));
        }
    }

    __get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx);
    if (eax >= 0x80000004) {
        unsigned int words[12];
        for (unsigned int leaf = 0; leaf < 3; leaf++)
            __get_cpuid(0x80000002 + leaf, &words[leaf * 4], &words[leaf * 4 + 1], &words[leaf * 4 + 2], &words[leaf * 4 + 3]);
        memcpy(cpu->brand, words, 48);
    }
}

const char *lectern_cpu_missing_for_engine(void) {
    lectern_cpu cpu;
    lectern_cpu_identify(&cpu);
    unsigned int eax, ebx, ecx, edx;
    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    bool movbe = ecx & bit_MOVBE;
    __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx);
    bool lzcnt = ecx & bit_LZCNT;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    bool bmi1 = ebx & bit_BMI, bmi2 = ebx & bit_BMI2;
    if (!cpu.avx) return "AVX";
    if (!cpu.avx2) return "AVX2";
    if (!cpu.fma) return "FMA";
    if (!cpu.f16c) return "F16C";
    if (!bmi1 || !bmi2) return "BMI1/BMI2";
    if (!lzcnt) return "LZCNT";
    if (!movbe) return "MOVBE";
    return NULL;
}
#else
const char *lectern_cpu_missing_for_engine(void) { return "x86-64"; }

void lectern_cpu_identify(lectern_cpu *cpu) { memset(cpu, 0, sizeof *cpu); }
#endif
