#!/bin/sh
echo "hello from a layer"
