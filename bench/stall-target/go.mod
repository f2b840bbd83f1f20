module gospy.bench/stalltarget

go 1.21
