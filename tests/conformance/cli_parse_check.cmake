# Runs `cbuild parse` on every golden Dockerfile case and checks its output
# and exit status: ast.txt cases print the dump on stdout and exit 0;
# errors.txt cases print exactly those diagnostics on stderr and exit 1.
# Usage: cmake -DCBUILD=<path> -DGOLDEN=<tests/golden/dockerfile> -P cli_parse_check.cmake
file(GLOB cases LIST_DIRECTORIES true ${GOLDEN}/*)
set(checked 0)
foreach(case ${cases})
  if(EXISTS ${case}/ast.txt)
    execute_process(COMMAND ${CBUILD} parse -f Dockerfile WORKING_DIRECTORY ${case}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    file(READ ${case}/ast.txt expected)
    if(NOT rc EQUAL 0 OR NOT out STREQUAL expected)
      message(FATAL_ERROR "${case}: exit ${rc}\n--- expected\n${expected}--- got\n${out}${err}")
    endif()
    math(EXPR checked "${checked} + 1")
  endif()
  if(EXISTS ${case}/errors.txt)
    execute_process(COMMAND ${CBUILD} parse -f Dockerfile --format json
                    WORKING_DIRECTORY ${case}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    file(READ ${case}/errors.txt expected)
    if(NOT rc EQUAL 1 OR NOT err STREQUAL expected)
      message(FATAL_ERROR "${case}: exit ${rc}\n--- expected\n${expected}--- got\n${err}")
    endif()
    math(EXPR checked "${checked} + 1")
  endif()
endforeach()
if(checked LESS 4)
  message(FATAL_ERROR "only ${checked} golden cases found in ${GOLDEN}")
endif()
message(STATUS "cbuild parse: ${checked} golden cases passed")
