// The package entry: every public function and type is exported from here.
export {};
