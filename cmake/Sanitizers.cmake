# -DCBUILD_SANITIZE=address,undefined builds everything with those sanitizers.
if(CBUILD_SANITIZE)
  add_compile_options(-fsanitize=${CBUILD_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CBUILD_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12's flow analysis reports -Wmaybe-uninitialized false positives in
    # instrumented code (e.g. inside Catch2's header); the sanitizers themselves
    # catch real uninitialised reads at run time.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()
