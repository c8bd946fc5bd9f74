# cmake -DSCDOC=scdoc -DINPUT=page.scd -DOUTPUT=page.N
#       -DGZIP=gzip -DCOMPRESSED=page.N.gz -P scdoc.cmake
# scdoc reads standard input and writes standard output; a page it refuses
# leaves no output behind, so the next build tries again. The compressed copy
# is the one installed.
get_filename_component(directory ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${directory})
execute_process(COMMAND ${SCDOC} INPUT_FILE ${INPUT} OUTPUT_FILE ${OUTPUT} ERROR_VARIABLE error RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE ${OUTPUT})
  message(FATAL_ERROR "scdoc ${INPUT}: ${error}")
endif()
get_filename_component(directory ${COMPRESSED} DIRECTORY)
file(MAKE_DIRECTORY ${directory})
execute_process(COMMAND ${GZIP} -9 -n -c INPUT_FILE ${OUTPUT} OUTPUT_FILE ${COMPRESSED} ERROR_VARIABLE error RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE ${OUTPUT} ${COMPRESSED})
  message(FATAL_ERROR "gzip ${OUTPUT}: ${error}")
endif()
