module gospy.dev/samples/states

go 1.15
