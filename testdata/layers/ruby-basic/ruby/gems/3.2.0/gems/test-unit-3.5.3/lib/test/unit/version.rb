module Test
  module Unit
    VERSION = "3.5.3"
  end
end
