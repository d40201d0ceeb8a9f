"""Evidence preservation: encrypted content-addressed objects, retention, holds, destruction."""
