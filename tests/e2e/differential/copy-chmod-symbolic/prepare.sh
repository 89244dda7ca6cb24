mkdir -p dir/sub; echo x >dir/sub/x; echo r >dir/run; echo f >f
chmod 644 f; chmod 775 dir/sub; chmod 664 dir/sub/x; chmod 775 dir/run
