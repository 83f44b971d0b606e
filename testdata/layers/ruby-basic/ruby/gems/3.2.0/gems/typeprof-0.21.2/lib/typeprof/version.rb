module TypeProf
  VERSION = "0.21.2"
end
