// Compiles the shared precompiled header (pch/torch_pch.h) once.
