# -DCBUILD_SANITIZE=address,undefined builds everything with those sanitizers.
if(CBUILD_SANITIZE)
  add_compile_options(-fsanitize=${CBUILD_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CBUILD_SANITIZE})
endif()
