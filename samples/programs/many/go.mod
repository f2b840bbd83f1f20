module gospy.dev/samples/many

go 1.15
